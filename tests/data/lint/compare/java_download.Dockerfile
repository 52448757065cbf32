FROM openjdk:17
WORKDIR /opt
RUN curl -L -o /opt/app.jar https://repo.example.com/releases/app-1.0.jar
RUN wget https://archive.example.com/dist/agent.zip
RUN unzip agent.zip -d /opt/agent
RUN rm agent.zip
RUN useradd -u 123456 javauser
USER javauser
CMD ["java", "-jar", "/opt/app.jar"]
